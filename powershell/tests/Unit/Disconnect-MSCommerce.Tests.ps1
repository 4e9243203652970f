BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Disconnect-MSCommerce' {
    BeforeEach {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $script:MSCommerceConnection = @{ Uri = 'http://mscommerce.test'; AccessToken = 'token-1'; ExpiresOn = $null; TokenRequest = $null }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -MockWith { throw 'no request is expected' }
    }

    It 'Should forget the connection and write nothing' {
        $output = Disconnect-MSCommerce
        $output | Should -BeNullOrEmpty
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
    }

    It 'Should make later commands ask for Connect-MSCommerce again, without sending anything' {
        Disconnect-MSCommerce
        { Get-MSCommercePolicies } | Should -Throw -ExpectedMessage 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -Times 0 -Exactly
    }

    It 'Should do nothing when not connected' {
        Disconnect-MSCommerce
        { Disconnect-MSCommerce } | Should -Not -Throw
    }

    It 'Should still let a command run with -Token after disconnecting' {
        Disconnect-MSCommerce
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { [pscustomobject]@{ items = @() } }
        { Get-MSCommercePolicies -Token 'raw-jwt' } | Should -Not -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
    }
}
