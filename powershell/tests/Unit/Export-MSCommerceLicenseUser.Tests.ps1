BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule

    $script:subscription = [pscustomobject]@{
        id               = '11111111-1111-1111-1111-111111111111'
        productId        = 'CFQ7TTC0H9MP'
        productName      = 'Power BI Pro'
        scope            = 'product'
        purchaseType     = 'SelfService'
        acquisitionKind  = 'Purchase'
        purchaser        = [pscustomobject]@{ id = 'p1'; displayName = 'Ann'; userPrincipalName = 'ann@contoso.onmicrosoft.com' }
        quantity         = 5
        assignedCount    = 1
        unitPrice        = '16.80'
        totalPrice       = '84.00'
        currency         = 'USD'
        billingFrequency = 'Monthly'
        createdAt        = '2026-11-25T06:30:00.000Z'
        expiresAt        = '2026-12-25T06:30:00.000Z'
        autoRenew        = $true
        status           = 'Active'
        etag             = '"1"'
        assignedUsers    = @([pscustomobject]@{ id = 'u1'; displayName = 'Bob'; userPrincipalName = 'bob@contoso.onmicrosoft.com'; assignedAt = '2026-11-25T06:31:00.000Z' })
    }
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
