BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceLicenseRequestSetting' {
    It 'Should read the settings as an MSCommerce.LicenseRequestSetting' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ useOrganizationProcess = $true; message = 'Ask the service desk.'; link = 'https://servicedesk.contoso.com/software' }
        }
        $settings = Get-MSCommerceLicenseRequestSetting -Token 'raw-jwt'
        $settings.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequestSetting'
        $settings.UseOrganizationProcess | Should -BeOfType [bool]
        $settings.UseOrganizationProcess | Should -BeTrue
        $settings.Message | Should -Be 'Ask the service desk.'
        $settings.Link | Should -Be 'https://servicedesk.contoso.com/software'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/licenseRequestSettings' -and $Token -eq 'raw-jwt'
        }
    }

    It 'Should keep a missing message and link $null' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ useOrganizationProcess = $false; message = $null; link = $null }
        }
        $settings = Get-MSCommerceLicenseRequestSetting
        $settings.UseOrganizationProcess | Should -BeFalse
        $null -eq $settings.Message | Should -BeTrue
        $null -eq $settings.Link | Should -BeTrue
    }

    It 'Should stop with the service''s error' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'TokenMissing' -Category 'AuthenticationError')
        }
        { Get-MSCommerceLicenseRequestSetting } | Should -Throw -ErrorId 'TokenMissing*'
    }
}
