BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Export-MSCommerceLicenseUser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { Set-Content -LiteralPath $OutFile -Value 'displayName' }
    }

    It 'Should send the piped subscription IDs in one request and stream to the file' {
        $path = Join-Path -Path $TestDrive -ChildPath 'users.csv'
        $file = @([pscustomobject]@{ SubscriptionId = 'a' }, [pscustomobject]@{ SubscriptionId = 'b' }) | Export-MSCommerceLicenseUser -Path $path
        $file.FullName | Should -Be $path
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions/exportUsers' -and $OutFile -and ($Body.subscriptionIds -join ',') -eq 'a,b'
        }
    }

    It 'Should not touch an existing file without -Force, nor call the service' {
        $path = Join-Path -Path $TestDrive -ChildPath 'kept.csv'
        Set-Content -LiteralPath $path -Value 'keep me'
        Export-MSCommerceLicenseUser -Path $path -ErrorAction SilentlyContinue -ErrorVariable failure
        $failure[0].FullyQualifiedErrorId | Should -Match '^FileExists'
        Get-Content -LiteralPath $path | Should -Be 'keep me'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0
    }

    It 'Should make no call with -WhatIf' {
        Export-MSCommerceLicenseUser -Path (Join-Path -Path $TestDrive -ChildPath 'w.csv') -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0
    }
}
