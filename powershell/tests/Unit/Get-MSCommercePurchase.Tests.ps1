BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommercePurchase' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            @((New-MSCommerceTestSubscription -Id 's1' -NoUsers), (New-MSCommerceTestSubscription -Id 's2' -NoUsers))
        }
    }

    It 'Should list the caller''s own purchases, page after page' {
        $purchases = @(Get-MSCommercePurchase)
        $purchases.Count | Should -Be 2
        $purchases[0].PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
        $purchases[1].SubscriptionId | Should -Be 's2'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/me/subscriptions' -and $FollowNextLink
        }
    }

    It 'Should stop with the service''s error' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'TokenExpired' -Category 'AuthenticationError')
        }
        { Get-MSCommercePurchase } | Should -Throw -ErrorId 'TokenExpired*'
    }
}
